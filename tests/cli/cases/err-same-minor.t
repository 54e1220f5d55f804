Two resources claiming one minor: the error names both (exit 3).
  $ rdbdadm -c conf/bad-same-minor.conf dump
  rdbdadm: conf/bad-same-minor.conf:8:2: minor 0 on host 'corman' is claimed by both resource web (line 2) and resource logs (expected one resource per device and host)
  [3]
