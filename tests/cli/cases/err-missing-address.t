An on section without its address (exit 3).
  $ rdbdadm -c conf/bad-missing-address.conf dump
  rdbdadm: conf/bad-missing-address.conf:5:2: no 'address' in 'on rabius' of resource web (expected 'address IPv4:PORT or ipv6 [IPv6]:PORT;')
  [3]
