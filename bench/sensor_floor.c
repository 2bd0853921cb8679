/* sensor_floor.c - loads bench/sensor_floor.bpf.o, attaches every program it can, says how many, and holds them until SIGINT or SIGTERM. */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t done;

static void on_signal(int sig)
{
	(void)sig;
	done = 1;
}

int main(int argc, char **argv)
{
	struct bpf_object *o;
	struct bpf_program *p;
	int n = 0, all = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: sensor_floor OBJECT.bpf.o\n");
		return 2;
	}
	libbpf_set_print(NULL);
	o = bpf_object__open_file(argv[1], NULL);
	if (!o || bpf_object__load(o)) {
		fprintf(stderr, "sensor_floor: cannot load %s\n", argv[1]);
		return 1;
	}
	/* the kernel may lack a hook (no init_module without CONFIG_MODULES): the sensor skips it too */
	bpf_object__for_each_program(p, o) {
		all++;
		if (bpf_program__attach(p))
			n++;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "floor: %d of %d hooks attached\n", n, all);
	while (!done)
		pause();
	bpf_object__close(o);
	return 0;
}
