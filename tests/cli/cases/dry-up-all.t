up -d all: every resource of this node, in file order (includes expanded).
  $ rdbdadm -c conf/web.conf --node corman -d up all
  new-minor 0 web
  attach 0 /dev/vdb
  connect 0 10.99.1.1:7789 10.99.1.2:7789 peer=rabius protocol=C connect-int-ms=10000 ping-int-ms=10000 ping-timeout-ms=500 timeout-ms=6000 cram-hmac-alg=sha256 shared-secret=<hidden>
  new-minor 1 logs
  disk-options 1 resync-rate=40960 c-plan-ahead=20 c-min-rate=250 c-max-rate=102400 al-extents=1237 on-io-error=detach fencing=dont-care
  attach 1 /dev/vdc
  connect 1 10.99.1.1:7790 10.99.1.2:7790 peer=rabius protocol=A connect-int-ms=10000 ping-int-ms=10000 ping-timeout-ms=500 timeout-ms=6000 cram-hmac-alg=sha256 shared-secret=<hidden>
