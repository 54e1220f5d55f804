Bash completion: subcommands, then the resource names of the -c file (includes followed) and all, then options.
  $ . ../../userspace/rdbdadm/rdbdadm.bash-completion; complete_line() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _rdbdadm; echo "${COMPREPLY[*]}"; }; complete_line rdbdadm st; complete_line rdbdadm -c conf/web.conf primary ''; complete_line rdbdadm wait-sync --t; complete_line rdbdadm help d
  start status stop
  web logs all
  --timeout
  detach disconnect disk-options down dstate dump
