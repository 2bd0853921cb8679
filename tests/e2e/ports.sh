# ports.sh - sourced by the e2e scripts that listen on TCP ports of 127.0.0.1 (not run alone).

# free_port: a port of 127.0.0.1 free right now, chosen by the kernel.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# free_port_in LO HI [BUT]: the first free port of 127.0.0.1 in LO..HI other than BUT, for the tests
# whose ports must stay in a known range (the eBPF tests tell their own traffic apart by it); non-zero
# when none is free.
free_port_in() {
	local p
	for p in $(seq "$1" "$2"); do
		[ "$p" = "${3:-}" ] && continue
		python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1])))' "$p" 2>/dev/null &&
			{ echo "$p"; return 0; }
	done
	return 1
}
