Fencing: the policy is a disk option (set live by disk-options and adjust),
resume-io ends a fencing freeze, and a bad policy is a usage error.
  $ rdbdadm -c conf/web.conf --node corman -d disk-options web --fencing resource-and-stonith
  disk-options 0 resync-rate=250 c-plan-ahead=20 c-min-rate=250 c-max-rate=102400 al-extents=1237 on-io-error=detach fencing=resource-and-stonith
  $ rdbdadm -c conf/web.conf --node corman -d resume-io web
  resume-io 0
  $ rdbdadm -c conf/web.conf --node corman -d disk-options web --fencing stonith
  rdbdadm: --fencing stonith: expected dont-care, resource-only or resource-and-stonith
  [2]
