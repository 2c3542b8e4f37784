# shellcheck shell=bash
# A backup as a file: reading one back in full, its metadata, the list.
# Sourced by pageviews-backup, which sets DIR, KIND and META.
# shellcheck disable=SC2153

# Reads ARCHIVE back: its metadata, its kind against this database's, its
# members, the dump's sha256 and the dump parsed to the end. Prints the
# metadata; fails with one line saying what is wrong.
verify() { # ARCHIVE LABEL
    local archive=$1 label=$2 meta kind members dump
    meta=$(tar -xOf "$archive" "$META" 2>/dev/null) || die "$label: not a pageviews backup, or truncated (no readable metadata)"
    kind=$(meta_value kind <<<"$meta")
    [[ $kind == "$KIND" ]] || die "$label is a ${kind:-unknown} dump; this cluster's database is $KIND"
    dump=$(dump_file "$KIND")
    members=$(tar -tf "$archive" 2>/dev/null) || die "$label: truncated or corrupt archive"
    [[ $members == "$META"$'\n'"$dump" ]] || die "$label: unexpected contents: ${members//$'\n'/ }"
    [[ $(tar -xOf "$archive" "$dump" 2>/dev/null | sha256sum) == "$(meta_value sha256 <<<"$meta")  -" ]] \
        || die "$label: the dump is corrupt or truncated (its sha256 differs from the metadata's)"
    "readable_$KIND" "$archive" 2>/dev/null || die "$label: the dump does not read back to its end"
    [[ $(meta_value count <<<"$meta") =~ ^[0-9]+$ ]] || die "$label: no count in the metadata"
    printf '%s\n' "$meta"
}

meta_value() { sed -n "/^$1=/{s///p;q}"; }

# NAME as given on a command line: a file in DIR, nothing else.
named() {
    [[ -n ${1:-} ]] || die "name a backup (pageviews-backup list shows them)"
    [[ $1 != */* && $1 != .* ]] || die "'$1': give a backup's name, not a path"
    [[ -f $DIR/$1 ]] || die "no backup named '$1' in $DIR"
}

list() {
    local name kind size
    find "$DIR" -maxdepth 1 -name 'pageviews-*Z.tar' -printf '%f\n' | awk -F- '{ print $NF, $0 }' | sort -r \
        | while read -r _ name; do
            kind=${name#pageviews-} size=$(stat -c %s "$DIR/$name")
            printf '%s\t%s\t%s views\t%s\n' "$name" "$(numfmt --to=iec-i "$size")B" \
                "$(tar -xOf "$DIR/$name" "$META" 2>/dev/null | meta_value count)" "${kind%%-*}"
        done
}
