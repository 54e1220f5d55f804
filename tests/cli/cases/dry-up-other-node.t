The other node's plan swaps the addresses.
  $ rdbdadm -c conf/web.conf --node rabius --dry-run up logs
  new-minor 1 logs
  disk-options 1 resync-rate=40960 c-plan-ahead=20 c-min-rate=250 c-max-rate=102400 al-extents=1237 on-io-error=detach fencing=dont-care
  attach 1 /dev/vdc
  connect 1 10.99.1.2:7790 10.99.1.1:7790 peer=corman protocol=A connect-int-ms=10000 ping-int-ms=10000 ping-timeout-ms=500 timeout-ms=6000 cram-hmac-alg=sha256 shared-secret=<hidden>
