#!/bin/bash
#
# crm-fence-peer.sh, crm-unfence-peer.sh: rdbd's fencing handlers for a
# Pacemaker cluster, with DRBD's crm-fence-peer behaviour.
#
#   resource r0 {
#       disk { fencing resource-only; }
#       handlers {
#           fence-peer "/usr/lib/rdbd/crm-fence-peer.sh";
#           after-resync-target "/usr/lib/rdbd/crm-unfence-peer.sh";
#       }
#   }
#
# fence-peer: rdbd lost its peer while this node's data is good.  The
# handler adds a location constraint to the CIB that keeps the Promoted
# role of the rdbd clone (the ocf:rdbd:rdbd primitive with resource=RES)
# on this node only:
#
#   <rsc_location id="rdbd-fence-by-handler-RES-CLONE" rsc="CLONE">
#     <rule role="Promoted" score="-INFINITY" ...>
#       <expression attribute="#uname" operation="ne" value="THIS_NODE"/>
#
# so Pacemaker will not promote the peer, whose data falls behind from now
# on, even if this node dies.  Exit codes (DRBD's fence-peer contract):
#   4  constraint in place, peer still a cluster member (it stays
#      Unpromoted: its disk counts as Outdated)
#   5  constraint in place, peer not a cluster member (unreachable)
#   1  nothing placed: no such clone in the CIB, the CIB cannot be written,
#      this node's disk is not good enough, or the peer already placed the
#      constraint against this node.
# It never returns 7 (peer fenced): it does not wait for STONITH.
#
# after-resync-target (or run as crm-unfence-peer.sh): this node has just
# been resynced and is UpToDate: remove the constraint.  Exit 0 once it is
# gone (also if there was none), 1 if the CIB cannot be written.
#
# The environment comes from `rdbdadm helper`: RDBD_RESOURCE (or
# DRBD_RESOURCE), RDBD_HANDLER, DRBD_PEER (the peer's node name).
# Messages go to stderr and to syslog (tag rdbd-fence).

RES=${RDBD_RESOURCE:-${DRBD_RESOURCE:-}}
: "${OCF_ROOT:=/usr/lib/ocf}"
for RDBD_LIB in "$OCF_ROOT/lib/rdbd/rdbd-shellfuncs" \
	"${BASH_SOURCE[0]%/*}/rdbd-shellfuncs"; do
	[ -r "$RDBD_LIB" ] && break
done
# shellcheck source=ocf/rdbd-shellfuncs
. "$RDBD_LIB" || exit 1

say() {
	printf '%s: %s: %s\n' "${0##*/}" "$RES" "$*" >&2
	logger -t rdbd-fence -- "$RES: $*" 2>/dev/null
}

# find_clone: CLONE = the id of the promotable clone holding the
# ocf:rdbd:rdbd primitive of RES.
find_clone() {
	local xpath path
	xpath="//clone[primitive[@class='ocf' and @provider='rdbd' and @type='rdbd']"
	xpath+="/instance_attributes/nvpair[@name='resource' and @value='$RES']]"
	path=$(cibadmin --query --xpath "$xpath" --node-path 2>/dev/null) || {
		say "no promotable clone of ocf:rdbd:rdbd with resource=$RES in the CIB"
		return 1
	}
	if ! [[ $path =~ clone\[@id=\'([^\']+)\'\]$ ]]; then
		say "unexpected answer from cibadmin: $path"
		return 1
	fi
	CLONE=${BASH_REMATCH[1]}
	ID=rdbd-fence-by-handler-$RES-$CLONE
}

constraint_xml() {
	printf '<rsc_location id="%s" rsc="%s"><rule id="%s-rule" role="Promoted" score="-INFINITY"><expression id="%s-expr" attribute="#uname" operation="ne" value="%s"/></rule></rsc_location>' \
		"$ID" "$CLONE" "$ID" "$ID" "$1"
}

# peer_membership ME: REPLY = the peer's membership: member, lost, or
# unknown (crm_node -l lists "ID NAME STATE" per node).  The peer is
# DRBD_PEER, or else the node that is not ME.
peer_membership() {
	local id name state
	REPLY=unknown
	while read -r id name state; do
		[ -n "$peer" ] || [ "$name" = "$1" ] || peer=$name
		[ "$name" = "$peer" ] && REPLY=$state
	done < <(crm_node -l 2>/dev/null)
}

fence_peer() {
	local me peer=${DRBD_PEER:-} existing
	me=$(crm_node -n 2>/dev/null) || me=$(uname -n)
	find_clone || return 1
	if ! rdbd_json_object "$(rdbdadm status --json "$RES")" "$RES"; then
		say "cannot read rdbd's state of $RES"
		return 1
	fi
	local disk=${RDBD_STATUS[disk_state]-} pdisk=${RDBD_STATUS[peer_disk_state]-}
	if [ "$pdisk" = UpToDate ] && [ "${RDBD_STATUS[connection_state]-}" = Connected ]; then
		say "the peer is connected and UpToDate again: nothing to fence"
		return 1
	fi
	peer_membership "$me"
	local membership=$REPLY
	# Consistent data is good only if the peer can still be told (DRBD's
	# rule): with an unreachable peer only UpToDate data may be kept.
	if [ "$disk" != UpToDate ] &&
		! { [ "$disk" = Consistent ] && [ "$membership" = member ]; }; then
		say "this node's disk is ${disk:-unknown} (peer ${peer:-?} $membership): not placing a constraint"
		return 1
	fi
	if ! cibadmin --create --scope constraints --xml-text "$(constraint_xml "$me")" >/dev/null 2>&1; then
		# Already there (a second call for the same loss is fine), or
		# placed by the peer against this node (then our data is the
		# outdated one), or the CIB cannot be written.
		existing=$(cibadmin --query --xpath "//rsc_location[@id='$ID']//expression[@attribute='#uname']" 2>/dev/null)
		if [[ $existing != *"value=\"$me\""* ]]; then
			say "cannot place constraint $ID${existing:+ (the CIB has: $existing)}"
			return 1
		fi
	fi
	if [ "$membership" = member ]; then
		say "peer ${peer:-?} is a cluster member: Promoted kept on $me by constraint $ID (peer outdated)"
		return 4
	fi
	say "peer ${peer:-?} is $membership: Promoted kept on $me by constraint $ID"
	return 5
}

unfence_peer() {
	find_clone || return 1
	if ! cibadmin --delete --xml-text "<rsc_location id=\"$ID\"/>" >/dev/null 2>&1; then
		say "cannot remove constraint $ID"
		return 1
	fi
	say "removed constraint $ID (resync finished)"
	return 0
}

if [ -z "$RES" ]; then
	say "RDBD_RESOURCE is not set (run by 'rdbdadm helper')"
	exit 1
fi
case ${RDBD_HANDLER:-} in
fence-peer) fence_peer ;;
after-resync-target) unfence_peer ;;
'')
	case ${0##*/} in
	crm-unfence-peer*) unfence_peer ;;
	*) fence_peer ;;
	esac
	;;
*)
	say "not a handler these scripts implement: $RDBD_HANDLER"
	exit 1
	;;
esac
