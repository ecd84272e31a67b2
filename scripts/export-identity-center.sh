#!/usr/bin/env bash
# export-identity-center.sh DIR
#
# Writes to DIR (which must not exist) the AWS CLI outputs that `idcsim import aws DIR` reads:
# the IAM Identity Center instance, its permission sets, the accounts they are provisioned to,
# the account and application assignments, the identity store's users, groups and memberships,
# and the organisation's account names when the caller may list them. It only reads.
#
# Needs the AWS CLI v2 (which follows every page of a list by itself), credentials that may call
# the sso-admin, identitystore and (optionally) organizations List and Describe APIs, and the
# Region of the instance (AWS_REGION, or the profile's). No jq: the CLI's --query does the work.
# With several instances, set IDCSIM_INSTANCE_ARN to the one to export. A command that fails
# stops the script, leaving nothing behind.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1
if [ -e "$dir" ]; then
	echo "$0: $dir exists; give a directory that does not, so that two exports never mix" >&2
	exit 2
fi
export AWS_PAGER=""

# Written under a temporary name, renamed to DIR when complete.
tmp="$dir.partial.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

# lines turns the CLI's text output (values separated by tabs, a line per page) into one value
# a line.
lines() { tr '\t' '\n' | sed '/^$/d; /^None$/d'; }

aws sso-admin list-instances --output json > "$tmp/instances.json"
if [ -n "${IDCSIM_INSTANCE_ARN:-}" ]; then
	instance=$IDCSIM_INSTANCE_ARN
	store=$(aws sso-admin list-instances --query "Instances[?InstanceArn=='$instance'].IdentityStoreId" --output text | lines)
else
	instances=$(aws sso-admin list-instances --query 'Instances[].InstanceArn' --output text | lines)
	if [ "$(printf '%s\n' "$instances" | sed '/^$/d' | wc -l)" -ne 1 ]; then
		echo "$0: want exactly one IAM Identity Center instance, found: ${instances:-none}; set IDCSIM_INSTANCE_ARN" >&2
		exit 1
	fi
	instance=$instances
	store=$(aws sso-admin list-instances --query 'Instances[0].IdentityStoreId' --output text | lines)
fi
if [ -z "$store" ]; then
	echo "$0: no identity store for instance $instance" >&2
	exit 1
fi

# Permission sets: each described, with the accounts it is provisioned to and the assignments
# there (one output per account and permission set, one after the other in one file).
mkdir "$tmp/permission-sets"
aws sso-admin list-permission-sets --instance-arn "$instance" --output json > "$tmp/permission-sets.json"
: > "$tmp/provisioned-accounts.json"
: > "$tmp/account-assignments.json"
permission_sets=$(aws sso-admin list-permission-sets --instance-arn "$instance" --query 'PermissionSets[]' --output text | lines)
for ps in $permission_sets; do
	aws sso-admin describe-permission-set --instance-arn "$instance" --permission-set-arn "$ps" \
		--output json > "$tmp/permission-sets/${ps##*/}.json"
	aws sso-admin list-accounts-for-provisioned-permission-set --instance-arn "$instance" --permission-set-arn "$ps" \
		--output json >> "$tmp/provisioned-accounts.json"
	accounts=$(aws sso-admin list-accounts-for-provisioned-permission-set --instance-arn "$instance" \
		--permission-set-arn "$ps" --query 'AccountIds[]' --output text | lines)
	for account in $accounts; do
		aws sso-admin list-account-assignments --instance-arn "$instance" --account-id "$account" \
			--permission-set-arn "$ps" --output json >> "$tmp/account-assignments.json"
	done
done

# Applications and who is assigned to them.
aws sso-admin list-applications --instance-arn "$instance" --output json > "$tmp/applications.json"
: > "$tmp/application-assignments.json"
applications=$(aws sso-admin list-applications --instance-arn "$instance" --query 'Applications[].ApplicationArn' --output text | lines)
for app in $applications; do
	aws sso-admin list-application-assignments --application-arn "$app" --output json >> "$tmp/application-assignments.json"
done

# The identity store: users, groups and each group's members.
aws identitystore list-users --identity-store-id "$store" --output json > "$tmp/users.json"
aws identitystore list-groups --identity-store-id "$store" --output json > "$tmp/groups.json"
: > "$tmp/group-memberships.json"
groups=$(aws identitystore list-groups --identity-store-id "$store" --query 'Groups[].GroupId' --output text | lines)
for group in $groups; do
	aws identitystore list-group-memberships --identity-store-id "$store" --group-id "$group" \
		--output json >> "$tmp/group-memberships.json"
done

# The accounts' names, from the organisation's management account or a delegated administrator.
if ! aws organizations list-accounts --output json > "$tmp/accounts.json" 2> "$tmp/accounts.err"; then
	echo "$0: warning: organizations list-accounts failed, so accounts are named by their IDs: $(cat "$tmp/accounts.err")" >&2
	rm -f "$tmp/accounts.json"
fi
rm -f "$tmp/accounts.err"

# Files a loop left empty (no permission set, application or group) hold no output.
find "$tmp" -type f -empty -delete
mv "$tmp" "$dir"
trap - EXIT
echo "wrote $dir; next: idcsim import aws $dir --out scenario.yaml" >&2
