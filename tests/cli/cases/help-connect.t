rdbdadm connect --help: usage, description and options.
  $ rdbdadm connect --help
  usage: rdbdadm connect RES|all
  
  start connecting to the peer (WFConnection)
  
  connect options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
