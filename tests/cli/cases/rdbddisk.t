rdbddisk: only "not up" and "module not loaded" mean stopped; rdbdadm
failing otherwise is a failed stop and an unknown status; an Outdated
disk is not promoted, and the refusal says why.
  $ RDBDADM=fake/rdbdadm-broken ../../scripts/rdbddisk r0 stop
  rdbddisk: cannot tell whether r0 is Primary: rdbdadm: /etc/rdbd.conf:3: unknown keyword 'fencng'
  [1]
  $ RDBDADM=fake/rdbdadm-broken ../../scripts/rdbddisk r0 status
  cannot determine status, may be running (rdbdadm: /etc/rdbd.conf:3: unknown keyword 'fencng')
  [4]
  $ RDBDADM=fake/rdbdadm-no-module ../../scripts/rdbddisk r0 stop
  $ RDBDADM=fake/rdbdadm-no-module ../../scripts/rdbddisk r0 status
  stopped (Unconfigured)
  [3]
  $ RDBDADM=fake/rdbdadm-outdated ../../scripts/rdbddisk r0 start
  rdbddisk: refusing to promote r0: its disk is Outdated: the peer had it outdated (rdbd fencing) and went on without it, so its data is stale; the peer's disk has the newer data. Only if that disk is lost for good: rdbdadm primary --force r0
  [1]
