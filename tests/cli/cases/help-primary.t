rdbdadm primary --help: usage, description and options.
  $ rdbdadm primary --help
  usage: rdbdadm primary RES|all [--force]
  
  promote the device to Primary
  
  primary options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
    --force               promote even without UpToDate data: this node's data 
                          becomes the reference
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
