# shellcheck shell=bash
# images.sh - get_extra_file and upload_image from DevStack's functions:
# fetch files into $FILES (once) and upload disk images to glance with the
# real openstack client.

# _ps_fetch URL DEST: download URL to DEST with wget or curl.
_ps_fetch() {
    local url=$1 dest=$2
    if command -v wget >/dev/null 2>&1; then
        wget --progress=dot:giga -t 2 -c "$url" -O "$dest"
    else
        _ps_require_tool curl "install wget or curl"
        curl -fL --retry 2 -o "$dest" "$url"
    fi
}

# get_extra_file URL: the local path of URL; file:// URLs are used in place,
# anything else is downloaded to $FILES unless already there.
function get_extra_file {
    local url=$1
    if [[ $url == file://* ]]; then
        echo "${url#file://}"
        return 0
    fi
    local files=${FILES:-${TOP_DIR:-.}/files}
    local path
    path="$files/$(basename -- "$url")"
    if [[ ! -f $path ]]; then
        mkdir -p "$files"
        if ! _ps_fetch "$url" "$path" >&2; then
            rm -f "$path"
            die "$url could not be downloaded"
        fi
    fi
    echo "$path"
}

# _ps_image_create NAME CONTAINER DISK FILE [PROPERTY...]: upload, print id.
_ps_image_create() {
    local name=$1 container=$2 disk=$3 file=$4
    shift 4
    local -a props=()
    local p
    for p in "$@"; do
        props+=(--property "$p")
    done
    _ps_osc image create "$name" --public --container-format "$container" \
        --disk-format "$disk" "${props[@]}" --file "$(readlink -f -- "$file")" -f value -c id
}

# upload_image URL [TOKEN]
# Uploads the image at URL (downloaded to $FILES first) to glance. The
# format follows the file name: .qcow2, .raw, .img (qemu-img decides, else
# raw), .iso, .vmdk, .vhd/.vhdx, compressed .img.gz/.img.bz2/.qcow2.xz, and
# .tar.gz/.tgz bundles of kernel, ramdisk and machine image. TOKEN is accepted
# for old callers and unused.
function upload_image {
    local url=$1
    local image
    image=$(get_extra_file "$url")
    local fname name container=bare disk unpack=""
    fname=$(basename -- "$image")
    case $fname in
        *.tar.gz | *.tgz)
            _ps_upload_bundle "$image"
            return
            ;;
        *.img.gz) name=${fname%.img.gz} disk=raw unpack="gunzip -c" ;;
        *.img.bz2) name=${fname%.img.bz2} disk=raw unpack="bunzip2 -c" ;;
        *.qcow2.xz) name=${fname%.qcow2.xz} disk=qcow2 unpack="xz -dc" ;;
        *.qcow2) name=${fname%.qcow2} disk=qcow2 ;;
        *.raw) name=${fname%.raw} disk=raw ;;
        *.iso) name=${fname%.iso} disk=iso ;;
        *.vmdk) name=${fname%.vmdk} disk=vmdk ;;
        *.vhdx) name=${fname%.vhdx} disk=vhdx ;;
        *.vhd) name=${fname%.vhd} disk=vhd ;;
        *.img)
            name=${fname%.img}
            disk=raw
            if command -v qemu-img >/dev/null 2>&1; then
                local detected
                detected=$(qemu-img info "$image" | awk '/^file format/ { print $3; exit }')
                [[ ,qcow2,raw,vdi,vmdk,vpc, == *,"$detected",* ]] && disk=$detected
            fi
            ;;
        *)
            die "upload_image: do not know the format of $fname"
            ;;
    esac
    if [[ -n $unpack ]]; then
        local unpacked="${image%.*}"
        ${unpack} "$image" >"$unpacked"
        image=$unpacked
    fi
    local -a props=()
    [[ -n ${HW_RNG_MODEL:-} ]] && props+=("hw_rng_model=$HW_RNG_MODEL")
    _ps_image_create "$name" "$container" "$disk" "$image" "${props[@]}"
}

# _ps_upload_bundle TARBALL: kernel (aki), ramdisk (ari) and machine image
# (ami) from a tarball; the machine image refers to the other two.
_ps_upload_bundle() {
    local tarball=$1
    local fname name
    fname=$(basename -- "$tarball")
    name=${fname%.tar.gz}
    name=${name%.tgz}
    local dir="${FILES:-${TOP_DIR:-.}/files}/images/$name"
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -zxf "$tarball" -C "$dir"
    local kernel ramdisk disk f
    for f in "$dir"/*-vmlinuz* "$dir"/aki-*/image; do [[ -f $f ]] && { kernel=$f; break; }; done
    for f in "$dir"/*-initrd* "$dir"/ari-*/image; do [[ -f $f ]] && { ramdisk=$f; break; }; done
    for f in "$dir"/*.img "$dir"/ami-*/image; do [[ -f $f ]] && { disk=$f; break; }; done
    [[ -n ${disk:-} ]] || die "upload_image: no machine image inside $fname"
    local -a props=()
    if [[ -n ${kernel:-} ]]; then
        props+=("kernel_id=$(_ps_image_create "$name-kernel" aki aki "$kernel")")
    fi
    if [[ -n ${ramdisk:-} ]]; then
        props+=("ramdisk_id=$(_ps_image_create "$name-ramdisk" ari ari "$ramdisk")")
    fi
    _ps_image_create "$name" ami ami "$disk" "${props[@]}"
}
