# shellcheck shell=bash
# Settings shared by every rdbd script.  Sourced, not run.
#
# RDBD_KVER is the one place the target kernel version lives: the module is
# built against its headers and the VM tests boot its image.

: "${RDBD_KVER:=6.1.0-56-amd64}"
: "${RDBD_CACHE_DIR:=/var/cache/rdbd}"
: "${RDBD_GUEST_DIR:=$RDBD_CACHE_DIR/guest-$RDBD_KVER}"
export RDBD_KVER RDBD_CACHE_DIR RDBD_GUEST_DIR
