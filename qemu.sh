#!/usr/bin/env bash
# qemu.sh: boot a Tamix kernel ELF under QEMU and report how it ended.
#
# The kernel is loaded by QEMU's PVH entry on the "microvm" machine, its
# serial console is this script's standard output, and the status the kernel
# writes to the isa-debug-exit device becomes this script's exit status.
# Run "./qemu.sh -h" for the options; README.md has the background.
set -euo pipefail

# ---------------------------------------------------------------------------
# Exit statuses. This block is the one place that defines them.
#
# The kernel ends a run by writing a value v to the isa-debug-exit port;
# QEMU then exits with (v << 1) | 1 and qemu.sh exits with v again.
readonly TAMIX_EXIT_OK=0          # kernel finished normally, all tests passed
readonly TAMIX_EXIT_TEST_FAILED=1 # at least one in-guest test failed
readonly TAMIX_EXIT_PANIC=99      # kernel panic
# Statuses qemu.sh reports itself:
readonly QEMU_SH_USAGE=2       # bad option, missing kernel or initrd file
readonly QEMU_SH_TIMEOUT=124   # --timeout expired and QEMU was killed
readonly QEMU_SH_NO_REPORT=125 # guest reset or powered off without a status (e.g. triple fault)
readonly QEMU_SH_FAILED=126    # QEMU failed (bad option, could not load the kernel, crash, signal)

# The isa-debug-exit device the kernel writes its status to.
readonly DEBUG_EXIT_DEVICE=isa-debug-exit,iobase=0xf4,iosize=0x04

# ---------------------------------------------------------------------------
# Settings from the environment (see usage).
TAMIX_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
QEMU=${TAMIX_QEMU:-qemu-system-x86_64}
MACHINE=${TAMIX_MACHINE:-microvm}
KVM_DEV=${TAMIX_KVM_DEV:-/dev/kvm}
PROBE_CACHE=${TAMIX_PROBE_CACHE:-$TAMIX_ROOT/build/.accel-probe}
PROBE_TIMEOUT=${TAMIX_PROBE_TIMEOUT:-10}
GDB_PORT=${TAMIX_GDB_PORT:-1234}
# The events --trace turns on when the command line has no trace_event=.
DEFAULT_TRACE_EVENTS=sched:*,task:*,signal:*,tamix:*
# The initrd used when no --initrd is given and the file exists (make builds it).
DEFAULT_INITRD=$TAMIX_ROOT/build/initramfs.cpio

usage() {
	cat <<EOF
Usage: qemu.sh [options] [-- kernel-args...]

Boot a Tamix kernel under qemu-system-x86_64 (-machine $MACHINE, PVH entry).
The serial console is standard output.

Options:
  --kernel FILE      kernel ELF to boot (default: build/tamix.elf)
  -m, --mem SIZE     guest memory (default: 512M)
  --smp N            number of CPUs (default: 1)
  --append "ARGS"    add ARGS to the kernel command line (repeatable);
                     words after "--" are added too
  --initrd FILE      pass FILE to the kernel as its initrd (default:
                     build/initramfs.cpio beside qemu.sh, if it exists)
  --add FILE         add FILE (a static program) at the root of the initrd
                     (repeatable; the base is --initrd or build/initramfs.cpio)
  --init /NAME       run /NAME as PID 1; words after -- become its arguments;
                     qemu.sh exits with its status (128+N if signal N killed it)
  --trace FILE       boot with tracing on (trace_event=$DEFAULT_TRACE_EVENTS
                     unless the command line names events) and write the
                     ftrace text to FILE when the guest powers off (COM2)
  --gdb              start paused with a gdb stub on port \$TAMIX_GDB_PORT (1234)
  --timeout SECONDS  kill QEMU after SECONDS and exit $QEMU_SH_TIMEOUT
  --dry-run          print the QEMU command instead of running it
  -h, --help         show this help

Kernel command line:
  tamix.test=all | tamix.test=NAME[,NAME...]   run in-guest tests (KTAP)
  tamix.selftest=panic | tamix.selftest=sleep  deliberate panic / 2 s sleep
  tamix.probe=1                                print the banner and exit

Exit status:
  $TAMIX_EXIT_OK    the kernel reported success
  $TAMIX_EXIT_TEST_FAILED    the kernel reported a failed in-guest test
  $TAMIX_EXIT_PANIC   the kernel panicked
  N    any other value N the kernel wrote to the isa-debug-exit port
  $QEMU_SH_USAGE    usage error or missing file
  $QEMU_SH_TIMEOUT  timeout
  $QEMU_SH_NO_REPORT  the guest reset or powered off without reporting a status
  $QEMU_SH_FAILED  QEMU failed or was stopped by a signal

Environment:
  TAMIX_ACCEL=tcg|kvm  force an accelerator (default: KVM if a probe boot of
                       this kernel works under it, else TCG)
  TAMIX_QEMU           QEMU binary (default: qemu-system-x86_64)
  TAMIX_MACHINE        QEMU machine (default: microvm)
  TAMIX_QEMU_ARGS      extra QEMU arguments, split on spaces
  TAMIX_GDB_PORT       gdb stub port for --gdb (default: 1234)
EOF
}

# say prints a message for the user on standard error.
say() {
	printf 'qemu.sh: %s\n' "$*" >&2
}

# die reports a usage error and exits.
die() {
	say "$*"
	exit "$QEMU_SH_USAGE"
}

# translate_status QEMU_STATUS TIMED_OUT QEMU_ERROR prints qemu.sh's exit
# status for a QEMU run that ended with QEMU_STATUS. TIMED_OUT is 1 if the
# run was killed by the timeout; QEMU_ERROR is 1 if QEMU printed an error
# message of its own (QEMU's own failures exit with 1, which would otherwise
# read as the kernel's value 0).
translate_status() {
	local status=$1 timed_out=$2 qemu_error=$3
	if ((timed_out)); then
		echo "$QEMU_SH_TIMEOUT"
	elif ((status == 0)); then
		echo "$QEMU_SH_NO_REPORT"
	elif ((status == 1 && qemu_error)); then
		echo "$QEMU_SH_FAILED"
	elif ((status % 2 == 1)); then
		echo $(((status - 1) / 2))
	else
		echo "$QEMU_SH_FAILED"
	fi
}

# qemu_error_in FILE succeeds if FILE holds an error message from QEMU:
# a line starting with QEMU's program name that is not a warning.
qemu_error_in() {
	local prefix
	prefix="$(basename -- "$QEMU"): "
	grep -F -- "$prefix" "$1" 2>/dev/null |
		grep -v -e 'warning:' -e 'terminating on signal' >/dev/null
}

# shell_quote prints its arguments as one line a shell would read back.
shell_quote() {
	local word out=()
	for word in "$@"; do
		if [[ $word =~ ^[A-Za-z0-9_./:,=+@%-]+$ ]]; then
			out+=("$word")
		else
			out+=("'${word//\'/\'\\\'\'}'")
		fi
	done
	printf '%s\n' "${out[*]}"
}

# stop_pid PID ends a background QEMU: SIGTERM, then SIGKILL after 2 s.
stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# probe_kvm KERNEL succeeds if KERNEL boots to its banner and reports
# success under KVM with tamix.probe=1. QEMU's output goes to
# $PROBE_CACHE.log. A KVM "internal error" stops the guest without ending
# QEMU, so the probe watches for it rather than waiting for the timeout.
probe_kvm() {
	local kernel=$1 log=$PROBE_CACHE.log pid status=0 i timed_out=0
	mkdir -p -- "$(dirname -- "$PROBE_CACHE")"
	# Empty the log first: the watch below must not find the last
	# probe's error before the background QEMU has truncated the file.
	: >"$log"
	"$QEMU" "${BASE_ARGS[@]}" -accel kvm -cpu host -m "$MEM" -smp 1 \
		-kernel "$kernel" -append tamix.probe=1 </dev/null >"$log" 2>&1 &
	pid=$!
	for ((i = 0; ; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		if grep -q -e 'KVM internal error' -e 'emulation failure' "$log"; then
			stop_pid "$pid"
			break
		fi
		if ((i >= PROBE_TIMEOUT * 10)); then
			timed_out=1
			stop_pid "$pid"
			break
		fi
		sleep 0.1
	done
	wait "$pid" || status=$?
	local qemu_error=0
	qemu_error_in "$log" && qemu_error=1
	status=$(translate_status "$status" "$timed_out" "$qemu_error")
	((status == TAMIX_EXIT_OK)) && grep -q '^Tamix ' "$log"
}

# choose_accel KERNEL DRY_RUN sets ACCEL (tcg or kvm), ACCEL_ARGS and
# ACCEL_WHY. A dry run uses a cached probe verdict but never probes.
choose_accel() {
	local kernel=$1 dry_run=$2 sum="" cached_sum="" cached=""
	ACCEL=tcg
	ACCEL_WHY=""
	case ${TAMIX_ACCEL:-auto} in
	tcg | kvm)
		ACCEL=$TAMIX_ACCEL
		ACCEL_WHY="forced by TAMIX_ACCEL"
		;;
	auto)
		if [[ ! -r $KVM_DEV || ! -w $KVM_DEV ]]; then
			ACCEL_WHY="$KVM_DEV not usable"
		elif [[ ! -f $kernel ]]; then
			ACCEL_WHY="no kernel to probe KVM with"
		else
			sum=$(sha256sum -- "$kernel")
			sum=${sum%% *}
			if [[ -f $PROBE_CACHE ]]; then
				read -r cached_sum cached <"$PROBE_CACHE" || true
			fi
			if [[ $cached_sum == "$sum" && $cached =~ ^(tcg|kvm)$ ]]; then
				ACCEL=$cached
				ACCEL_WHY="cached KVM probe verdict in $PROBE_CACHE"
			elif ((dry_run)); then
				ACCEL_WHY="dry run, KVM not probed"
			else
				if probe_kvm "$kernel"; then
					ACCEL=kvm
					ACCEL_WHY="KVM probe passed"
				else
					ACCEL_WHY="KVM probe failed, see $PROBE_CACHE.log"
				fi
				printf '%s %s\n' "$sum" "$ACCEL" >"$PROBE_CACHE.tmp"
				mv -f -- "$PROBE_CACHE.tmp" "$PROBE_CACHE"
			fi
		fi
		;;
	*)
		die "TAMIX_ACCEL must be tcg or kvm, not '$TAMIX_ACCEL'"
		;;
	esac
	if [[ $ACCEL == kvm ]]; then
		ACCEL_ARGS=(-accel kvm -cpu host)
	else
		ACCEL_ARGS=(-accel tcg -cpu max)
	fi
}

# need_value OPTION ARGC fails unless OPTION has a value after it.
TMP_INITRD="" # an initrd built for --add, removed at exit

need_value() {
	(($2 >= 2)) || die "option $1 needs a value"
}

main() {
	local kernel="" initrd="" cmdline="" gdb=0 timeout="" dry_run=0 init="" tracefile=""
	local adds=()
	MEM=512M
	local smp=1
	while (($# > 0)); do
		case $1 in
		--kernel) need_value "$1" $# && kernel=$2 && shift ;;
		-m | --mem) need_value "$1" $# && MEM=$2 && shift ;;
		--smp) need_value "$1" $# && smp=$2 && shift ;;
		--append) need_value "$1" $# && cmdline+=" $2" && shift ;;
		--initrd) need_value "$1" $# && initrd=$2 && shift ;;
		--add) need_value "$1" $# && adds+=("$2") && shift ;;
		--init) need_value "$1" $# && init=$2 && shift ;;
		--timeout) need_value "$1" $# && timeout=$2 && shift ;;
		--trace) need_value "$1" $# && tracefile=$2 && shift ;;
		--gdb) gdb=1 ;;
		--dry-run) dry_run=1 ;;
		-h | --help)
			usage
			exit 0
			;;
		--)
			shift
			if [[ -n $init ]]; then
				cmdline+=" init=$init -- $*" # the words after -- are init's
				init=""
			else
				cmdline+=" $*"
			fi
			break
			;;
		*) die "unknown option '$1' (see qemu.sh -h)" ;;
		esac
		shift
	done
	[[ -z $init ]] || cmdline+=" init=$init"
	if [[ -n $tracefile && ! " $cmdline " =~ " trace_event=" ]]; then
		cmdline="trace_event=$DEFAULT_TRACE_EVENTS $cmdline" # before init's words
	fi
	local words
	read -r -a words <<<"$cmdline" # squeeze the spaces between the pieces
	cmdline="${words[*]}"
	[[ $smp =~ ^[1-9][0-9]*$ ]] || die "--smp needs a positive number, not '$smp'"
	if [[ -n $timeout && ! $timeout =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
		die "--timeout needs a number of seconds, not '$timeout'"
	fi
	[[ $PROBE_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "TAMIX_PROBE_TIMEOUT must be whole seconds"
	[[ -n $kernel ]] || kernel=$TAMIX_ROOT/build/tamix.elf
	if ((!dry_run)); then
		[[ -f $kernel ]] || die "kernel $kernel not found (run make kernel first)"
		[[ -z $initrd || -f $initrd ]] || die "initrd $initrd not found"
		if ! command -v "$QEMU" >/dev/null; then
			say "$QEMU not found (Debian: apt-get install qemu-system-x86)"
			exit "$QEMU_SH_FAILED"
		fi
	fi

	if ((${#adds[@]} > 0)); then
		initrd=$(build_initrd "$initrd" "${adds[@]}")
		TMP_INITRD=$initrd
	elif [[ -z $initrd && -f $DEFAULT_INITRD ]]; then
		initrd=$DEFAULT_INITRD # the programs of user/, for init= and the user suite
	fi

	BASE_ARGS=(-machine "$MACHINE" -nodefaults -no-user-config -nographic
		-no-reboot -serial stdio -device "$DEBUG_EXIT_DEVICE")
	choose_accel "$kernel" "$dry_run"

	local args=("${BASE_ARGS[@]}" "${ACCEL_ARGS[@]}" -m "$MEM" -smp "$smp"
		-kernel "$kernel")
	[[ -z $initrd ]] || args+=(-initrd "$initrd")
	[[ -z $cmdline ]] || args+=(-append "$cmdline")
	if ((gdb)); then
		args+=(-gdb "tcp::$GDB_PORT" -S)
	fi
	if [[ -n $tracefile ]]; then
		# COM2, which the kernel writes the trace to at power off.
		((dry_run)) || : >"$tracefile" 2>/dev/null || die "--trace: cannot write $tracefile"
		args+=(-chardev "file,id=trace,path=$tracefile"
			-device isa-serial,chardev=trace,iobase=0x2f8,irq=3)
	fi
	if [[ -n ${TAMIX_QEMU_ARGS:-} ]]; then
		local extra
		read -r -a extra <<<"$TAMIX_QEMU_ARGS"
		args+=("${extra[@]}")
	fi

	say "accelerator: $ACCEL ($ACCEL_WHY)"
	if ((dry_run)); then
		shell_quote "$QEMU" "${args[@]}"
		exit 0
	fi
	if ((gdb)); then
		local shown=${kernel#"$PWD"/}
		say "waiting for gdb; attach with: gdb $shown -ex 'target remote :$GDB_PORT'"
	fi
	run_qemu "$timeout" "${args[@]}"
}

# build_initrd BASE FILE... prints the path of a new initrd: BASE (or
# build/initramfs.cpio if it exists) followed by a cpio archive holding the
# FILEs at its root. The kernel reads concatenated archives, later entries
# replacing earlier ones, as Linux does.
build_initrd() {
	local base=$1 f
	shift
	[[ -n $base || ! -f $DEFAULT_INITRD ]] || base=$DEFAULT_INITRD
	local dir out
	dir=$(mktemp -d "${TMPDIR:-/tmp}/qemu-sh-add.XXXXXX")
	out=$dir.cpio
	for f in "$@"; do
		[[ -f $f ]] || die "--add: $f not found"
		cp -- "$f" "$dir/$(basename -- "$f")"
		chmod 0755 "$dir/$(basename -- "$f")"
	done
	{
		[[ -z $base ]] || cat -- "$base"
		(cd "$dir" && ls -A | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0)
	} >"$out" || die "cannot build the initrd"
	rm -rf -- "$dir"
	echo "$out"
}

# init_status LOG prints the exit status the init process reported on the
# console ("tamix: init exited with status N", "... killed by signal N"):
# N, or 128+N for a signal, as a shell reports it. isa-debug-exit carries
# only seven bits, so the console line is what counts.
init_status() {
	local line
	line=$(grep -a -E '^tamix: init (exited with status|killed by signal) [0-9]+' "$1" | tail -n 1) || return 1
	case $line in
	*"killed by signal"*) echo $((128 + ${line##* })) ;;
	*) echo "${line##* }" ;;
	esac
}

# run_qemu TIMEOUT ARGS... runs QEMU in the foreground (killed after TIMEOUT
# seconds unless TIMEOUT is empty) and exits with the translated status.
run_qemu() {
	local timeout=$1
	shift
	local errlog outlog tty_state="" status=0 timed_out=0 qemu_error=0
	errlog=$(mktemp "${TMPDIR:-/tmp}/qemu-sh.XXXXXX")
	outlog=$(mktemp "${TMPDIR:-/tmp}/qemu-sh-out.XXXXXX")
	# QEMU puts a terminal into raw mode; put it back if QEMU is killed.
	if [[ -t 0 ]]; then
		tty_state=$(stty -g 2>/dev/null || true)
	fi
	# shellcheck disable=SC2064 # expand now: the variables are local
	trap "rm -f -- '$errlog' '$outlog' '${TMP_INITRD:-}'; [[ -z '$tty_state' ]] || stty '$tty_state' 2>/dev/null || true" EXIT

	local prefix=()
	if [[ -n $timeout ]]; then
		prefix=(timeout --kill-after=5)
		# A terminal's QEMU must stay in the foreground process group.
		[[ ! -t 0 ]] || prefix+=(--foreground)
		prefix+=("$timeout")
	fi
	# QEMU's standard error is shown and kept, to tell its own failures
	# (exit status 1) from a kernel that reported success. Its standard
	# output (the serial console) goes straight to ours through fd 3.
	# The console is also kept, for the init process's exit status.
	exec 3> >(tee -a -- "$outlog")
	local teepid=$!
	set +e
	"${prefix[@]}" "$QEMU" "$@" 2>&1 1>&3 3>&- | tee -a -- "$errlog" >&2
	status=${PIPESTATUS[0]}
	set -e
	exec 3>&-
	wait "$teepid" 2>/dev/null || true

	if [[ -n $timeout ]] && ((status == 124 || status == 137)); then
		timed_out=1
		say "timeout: QEMU killed after $timeout s"
	fi
	qemu_error_in "$errlog" && qemu_error=1
	status=$(translate_status "$status" "$timed_out" "$qemu_error")
	# QEMU ends with status 0 on SIGINT/SIGTERM (e.g. Ctrl-C): not a reset.
	if ((status == QEMU_SH_NO_REPORT)) && grep -q 'terminating on signal' "$errlog"; then
		say "QEMU stopped by a signal"
		exit "$QEMU_SH_FAILED"
	fi
	local st
	if ((!timed_out && !qemu_error)) && st=$(init_status "$outlog"); then
		status=$st
	fi
	case $status in
	"$QEMU_SH_NO_REPORT") say "guest reset or powered off without reporting a status" ;;
	"$QEMU_SH_FAILED") say "QEMU failed" ;;
	esac
	exit "$status"
}

# Run main unless the file is sourced (the tests source it to reach the
# functions above).
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	main "$@"
fi
