rdbdadm create-md --help: usage, description and options.
  $ rdbdadm create-md --help
  usage: rdbdadm create-md RES|all [--force]
  
  write fresh meta data at the end of this node's disk
  
  create-md options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
    --force               overwrite a file system or existing rdbd meta data 
                          (destroys it)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
