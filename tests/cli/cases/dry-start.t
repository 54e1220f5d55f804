start -d: adjust's plan, the waits it would do (on stderr), and primary for become-primary-on corman.
  $ rdbdadm -c conf/web.conf --node corman start -d all
  rdbdadm: the rdbd kernel module is not loaded (no generic netlink family "rdbd"); load it with 'modprobe rdbd' or 'insmod rdbd.ko'; dry-run shows the plan for a node where nothing is up
  new-minor 0 web
  attach 0 /dev/vdb
  connect 0 10.99.1.1:7789 10.99.1.2:7789 peer=rabius protocol=C connect-int-ms=10000 ping-int-ms=10000 ping-timeout-ms=500 timeout-ms=6000 cram-hmac-alg=sha256 shared-secret=<hidden>
  new-minor 1 logs
  disk-options 1 resync-rate=40960 c-plan-ahead=20 c-min-rate=250 c-max-rate=102400 al-extents=1237 on-io-error=detach fencing=dont-care
  attach 1 /dev/vdc
  connect 1 10.99.1.1:7790 10.99.1.2:7790 peer=rabius protocol=A connect-int-ms=10000 ping-int-ms=10000 ping-timeout-ms=500 timeout-ms=6000 cram-hmac-alg=sha256 shared-secret=<hidden>
  rdbdadm: web: waiting for the peer, 60 s (wfc-timeout) [dry-run: not waiting]
  rdbdadm: logs: waiting for the peer, 60 s (wfc-timeout) [dry-run: not waiting]
  primary 0
