rdbdadm verify --help: usage and description.
  $ rdbdadm verify --help
  usage: rdbdadm verify RES|all
  
  compare both disks online and mark the blocks that differ out of sync (needs verify-alg)
  
  verify options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
