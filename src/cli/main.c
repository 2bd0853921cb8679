/* main.c - bulkhead command-line entry point (placeholder). */
#include <stdio.h>
int main(void) { puts("bulkhead"); return 0; }
