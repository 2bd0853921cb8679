/* fuzz_netsnap.c - a network.snapshot event's payload (what an agent, or anyone with an agent token, sends)
 * through the server's parse: every node and edge handed on is bounded, printable, with a known protocol
 * and a port in range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/blapi.h"

static int node(void *ud, const char *host, const bh_netstore_node *n, bh_error *err)
{
	(void)ud; (void)host; (void)err;
	if (!n->id || !n->kind || !n->doc || strlen(n->id) > 300 || strlen(n->kind) > 32)
		abort();
	return 0;
}

static int edge(void *ud, const bh_netstore_edge *e, bh_error *err)
{
	(void)ud; (void)err;
	if (!e->from || !e->to || !e->proto || e->port < 0 || e->port > 65535 || e->connections < 0 || e->bytes < 0 ||
	    (strcmp(e->proto, "tcp") != 0 && strcmp(e->proto, "udp") != 0))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	bh_error err;
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (bh_blapi_network_parse(s, "h", 1, node, edge, NULL, &err) != 0)
		abort();
	free(s);
	return 0;
}
