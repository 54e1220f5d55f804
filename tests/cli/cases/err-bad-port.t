A port out of range in an address (exit 3).
  $ rdbdadm -c conf/bad-port.conf --node corman up web
  rdbdadm: conf/bad-port.conf:4:22: bad port '77890' in 'address' (expected 1..65535)
  [3]
