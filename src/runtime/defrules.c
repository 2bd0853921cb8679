/* defrules.c - the default runtime rule set (rules/default.yaml) embedded in the binary. */
#include <stdint.h>

#include "runtime/rules.h"

/*
 * The assembler includes the YAML file as it is (paths are relative to the top directory, where
 * make runs); the Makefile makes this object depend on rules/default.yaml. A NUL follows the text.
 */
__asm__(".section .rodata\n"
	".balign 16\n"
	".globl bh_defrules_data\n"
	"bh_defrules_data:\n"
	".incbin \"rules/default.yaml\"\n"
	".globl bh_defrules_end\n"
	"bh_defrules_end:\n"
	".byte 0\n"
	".balign 8\n"
	".globl bh_defrules_size\n"
	"bh_defrules_size:\n"
	".quad bh_defrules_end - bh_defrules_data\n"
	".previous\n");

extern const char bh_defrules_data[];
extern const uint64_t bh_defrules_size;

const char *bh_rules_default_yaml(size_t *len)
{
	*len = (size_t)bh_defrules_size;
	return bh_defrules_data;
}
