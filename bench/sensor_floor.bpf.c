/* sensor_floor.bpf.c - an empty program on every hook of src/runtime/bpf/sensor.bpf.c: what the kernel charges for the hooks alone (bench/sensor.sh, "floor").
 * bench/sensor.sh checks the list against the sensor's. sys_exit_openat is left out: the sensor attaches
 * it only while enforcement is on, and bench/sensor.sh measures without. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/sched/sched_process_exec")
int floor_1(void *ctx) { return 0; }

SEC("tracepoint/sched/sched_process_exit")
int floor_3(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_openat")
int floor_4(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_open")
int floor_5(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int floor_6(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_unlink")
int floor_7(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_renameat2")
int floor_8(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_renameat")
int floor_9(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_rename")
int floor_10(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_fchmodat")
int floor_11(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_fchmodat2")
int floor_12(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_chmod")
int floor_13(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_connect")
int floor_14(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_listen")
int floor_15(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_accept4")
int floor_16(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_accept")
int floor_17(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_setuid")
int floor_18(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_setresuid")
int floor_19(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_capset")
int floor_20(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_unshare")
int floor_21(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_setns")
int floor_22(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_ptrace")
int floor_23(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_init_module")
int floor_24(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_finit_module")
int floor_25(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_mount")
int floor_26(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_memfd_create")
int floor_27(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_setuid")
int floor_28(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_setresuid")
int floor_29(void *ctx) { return 0; }
