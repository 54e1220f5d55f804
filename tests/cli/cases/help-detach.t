rdbdadm detach --help: usage, description and options.
  $ rdbdadm detach --help
  usage: rdbdadm detach RES|all
  
  release this node's disk (the device stays, Diskless)
  
  detach options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
