#!/bin/bash
# plugstack library: git functions.
#
# GITREPO, GITDIR and GITBRANCH are global associative arrays keyed by
# project name (git_clone_by_name reads them; plugins write them).
#
# git_clone under plugstack (PLUGSTACK_SELF set) asks plugstack to do the
# clone, so the repository comes from plugstack's cache (also offline) and
# is pinned in local.conf.lock:
#   RECLONE=.. ERROR_ON_CLONE=.. OFFLINE=.. GIT_DEPTH=.. \
#   "${PLUGSTACK_SELF[@]}" internal repo-clone --url URL --dir DIR --ref REF \
#       --plugin "$PLUGSTACK_PLUGIN"
# Without plugstack it runs git itself, with DevStack's semantics: an
# existing directory is left alone unless RECLONE is true; ERROR_ON_CLONE
# forbids cloning a missing one; OFFLINE only shows what is there; REF may
# be a branch, a tag, a commit SHA or a gerrit refs/... ref; GIT_DEPTH > 0
# makes shallow clones. Sourcing this file only defines functions and the
# arrays (re-sourcing keeps their entries).

declare -gA GITREPO GITDIR GITBRANCH

# get_release_name_from_branch BRANCH: "stable/2024.1" -> "2024.1", else
# "master".
function get_release_name_from_branch {
    local branch=${1:-}
    if [[ $branch == stable/* || $branch == proposed/* ]]; then
        echo "${branch#*/}"
    else
        echo "master"
    fi
}

# git_timed GIT-ARGS...: git with a timeout of GIT_TIMEOUT seconds (0 or
# unset: none), retried up to 3 times when it times out; any other failure
# dies.
function git_timed {
    local count=0 timeout=${GIT_TIMEOUT:-0} rc
    _ps_time start git_timed
    while true; do
        rc=0
        GIT_TERMINAL_PROMPT=0 timeout -s SIGINT "$timeout" git "$@" || rc=$?
        [[ $rc -ne 0 ]] || break
        if [[ $rc -ne 124 ]]; then
            _ps_time stop git_timed
            die "git call failed: [git $*]"
        fi
        count=$((count + 1))
        warn "timeout ${count} for git call: [git $*]"
        if [[ $count -eq 3 ]]; then
            _ps_time stop git_timed
            die "Maximum of 3 git retries reached"
        fi
        sleep 5
    done
    _ps_time stop git_timed
}

# git_update_branch BRANCH: (in the repo) a fresh local BRANCH at
# origin/BRANCH.
function git_update_branch {
    local branch=$1
    git checkout -f "origin/$branch"
    git branch -D "$branch" || true
    git checkout -b "$branch"
}

# git_update_remote_branch BRANCH: (in the repo) a local BRANCH tracking
# origin/BRANCH.
function git_update_remote_branch {
    local branch=$1
    git checkout -b "$branch" -t "origin/$branch"
}

# git_update_tag TAG: (in the repo) the tag fetched again and checked out
# (detached).
function git_update_tag {
    local tag=$1
    git tag -d "$tag"
    git_timed fetch origin tag "$tag"
    git checkout -f "$tag"
}

# _ps_is_sha REF: a full or abbreviated (7+) hexadecimal commit id.
_ps_is_sha() {
    [[ $1 =~ ^[0-9a-fA-F]{7,40}$ ]]
}

# _ps_git_no_clone DIR URL: the ERROR_ON_CLONE failure.
_ps_git_no_clone() {
    echo "The $1 project was not found; if this is a gate job, add"
    echo "the project to the \$PROJECTS variable in the job definition."
    die "Cloning not allowed in this configuration ($2 into $1, ERROR_ON_CLONE=True)"
}

# _ps_git_clone_direct URL DIR REF: DevStack's git_clone with plain git.
_ps_git_clone_direct() {
    local remote=$1 dest=$2 ref=$3 error_on_clone depth=${GIT_DEPTH:-0}
    _ps_require_tool git
    error_on_clone=$(trueorfalse False ERROR_ON_CLONE)
    local -a depth_args=()
    if [[ $depth =~ ^[0-9]+$ && $depth -gt 0 ]]; then
        depth_args=(--depth "$depth")
    fi
    if [[ ${OFFLINE:-False} == True ]]; then
        echo "Running in offline mode, clones already exist"
        [[ -d $dest ]] || die "$dest does not exist, and OFFLINE=True forbids cloning $remote"
        (cd "$dest" && git show --oneline | head -1)
        return 0
    fi
    if [[ $ref == refs/* ]]; then
        if [[ ! -d $dest ]]; then
            [[ $error_on_clone != True ]] || _ps_git_no_clone "$dest" "$remote"
            git_timed clone "${depth_args[@]}" -- "$remote" "$dest"
        fi
        (cd "$dest" && git_timed fetch "$remote" "$ref" && git checkout FETCH_HEAD) || return
    elif [[ ! -d $dest ]]; then
        [[ $error_on_clone != True ]] || _ps_git_no_clone "$dest" "$remote"
        if [[ -z $ref ]]; then
            git_timed clone "${depth_args[@]}" -- "$remote" "$dest"
        elif _ps_is_sha "$ref" && ! git ls-remote --exit-code -- "$remote" "$ref" >/dev/null 2>&1; then
            # a commit, not a branch or tag: full clone, then detach there
            git_timed clone -- "$remote" "$dest"
            (cd "$dest" && git checkout -q "$ref") || die "$ref is not a commit of $remote"
        else
            # --branch also takes tags
            git_timed clone "${depth_args[@]}" --branch "$ref" -- "$remote" "$dest"
        fi
    elif [[ $RECLONE == True ]]; then
        # what a fresh clone would give, in the existing directory
        (
            cd "$dest" || exit 1
            git remote set-url origin "$remote"
            git_timed fetch origin
            find "$dest" -name '*.pyc' -delete
            if [[ -z $ref ]]; then
                git checkout -f "origin/HEAD"
            elif [[ -n $(git show-ref "refs/tags/$ref") ]]; then
                git_update_tag "$ref"
            elif [[ -n $(git show-ref "refs/heads/$ref") ]]; then
                git_update_branch "$ref"
            elif [[ -n $(git show-ref "refs/remotes/origin/$ref") ]]; then
                git_update_remote_branch "$ref"
            elif _ps_is_sha "$ref" && git cat-file -e "$ref^{commit}" 2>/dev/null; then
                git checkout -f "$ref"
            else
                die "$ref is neither branch nor tag"
            fi
        ) || return
    fi
    (cd "$dest" && git show --oneline | head -1)
}

# git_clone URL DIR [REF]: clone URL into DIR at REF (see the top of this
# file). Prints the commit that is checked out.
function git_clone {
    local remote=${1:-} dest=${2:-} ref=${3:-}
    [[ -n $remote && -n $dest ]] || die "git_clone needs a url and a directory: git_clone URL DIR [REF]"
    [[ $dest == /* ]] || dest=$PWD/$dest
    RECLONE=$(trueorfalse False RECLONE)
    if _ps_self_set; then
        # DevStack leaves an existing directory alone unless RECLONE, even
        # one that is not a git checkout (e.g. a plugin laid out from a
        # plain directory that clones itself): nothing to fetch or pin.
        if [[ $RECLONE != True && -d $dest && ! -e $dest/.git ]] && [[ -n $(ls -A "$dest" 2>/dev/null) ]]; then
            echo "git_clone: $dest exists and is not a git checkout: kept as it is"
            return 0
        fi
        RECLONE=$RECLONE \
            ERROR_ON_CLONE=$(trueorfalse False ERROR_ON_CLONE) \
            OFFLINE=$(trueorfalse False OFFLINE) \
            GIT_DEPTH=${GIT_DEPTH:-0} \
            _ps_self repo-clone --url "$remote" --dir "$dest" --ref "$ref" --plugin "${PLUGSTACK_PLUGIN:-}"
        return
    fi
    _ps_git_clone_direct "$remote" "$dest" "$ref"
}

# git_clone_by_name NAME: git_clone ${GITREPO[NAME]} ${GITDIR[NAME]}
# ${GITBRANCH[NAME]}.
function git_clone_by_name {
    local name=${1:-}
    local repo=${GITREPO[$name]:-} dir=${GITDIR[$name]:-} branch=${GITBRANCH[$name]:-}
    [[ -n $repo ]] || die "git_clone_by_name $name: GITREPO[$name] is not set"
    [[ -n $dir ]] || dir=${DEST:-/opt/stack}/$name
    git_clone "$repo" "$dir" "$branch"
}
