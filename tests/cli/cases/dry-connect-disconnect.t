connect -d and disconnect -d.
  $ rdbdadm -c conf/web.conf --node corman connect -d logs
  connect 1 10.99.1.1:7790 10.99.1.2:7790 peer=rabius protocol=A connect-int-ms=10000 ping-int-ms=10000 ping-timeout-ms=500 timeout-ms=6000 cram-hmac-alg=sha256 shared-secret=<hidden>
  $ rdbdadm -c conf/web.conf --node corman disconnect -d logs
  disconnect 1
