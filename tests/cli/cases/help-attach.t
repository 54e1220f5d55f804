rdbdadm attach --help: usage, description and options.
  $ rdbdadm attach --help
  usage: rdbdadm attach RES|all
  
  attach this node's disk to the device
  
  attach options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
