rdbdadm connect --help: usage, description and options.
  $ rdbdadm connect --help
  usage: rdbdadm connect RES|all [--discard-my-data] [--after-sb-Npri POLICY]
  
  start connecting to the peer (WFConnection)
  
  connect options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
    --discard-my-data     after a split brain: this node's changes are the ones 
                          to lose; it becomes the sync target of its peer
    --after-sb-0pri arg   split-brain policy with no Primary (overrides net { })
    --after-sb-1pri arg   split-brain policy with one Primary
    --after-sb-2pri arg   split-brain policy with two Primaries
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
