rdbdadm up --help: usage, description and options.
  $ rdbdadm up --help
  usage: rdbdadm up RES|all
  
  create the device, attach its disk and start connecting to the peer
  
  up options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
