up -d prints new-minor, attach and connect for this node; the secret stays hidden.
  $ rdbdadm -c conf/web.conf --node corman up -d web
  new-minor 0 web
  attach 0 /dev/vdb
  connect 0 10.99.1.1:7789 10.99.1.2:7789 peer=rabius protocol=C connect-int-ms=10000 ping-int-ms=10000 ping-timeout-ms=500 timeout-ms=6000 cram-hmac-alg=sha256 shared-secret=<hidden>
