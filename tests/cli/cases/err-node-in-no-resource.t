'all' on a node that no resource names (exit 3).
  $ rdbdadm -c conf/web.conf --node other down all
  rdbdadm: no resource in conf/web.conf has an 'on' section for this node 'other' (hosts: corman, rabius); use --node
  [3]
