# tty-setup.sh - sourced by the terminal tests (NAME set first): paths to hyve and the echo guest, /dev/kvm and tmux checks, a scratch folder with a private tmux server that goes away at exit.
cd "$(dirname "${BASH_SOURCE[1]}")/../.."
BUILD=${BUILD:-build}
HYVE=$(realpath "$BUILD/hyve")
GUEST=$(realpath "$BUILD/guests/echo.bzImage")

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "SKIP: $NAME: /dev/kvm is not usable here"
	exit 0
fi
if ! command -v tmux >/dev/null; then
	echo "FAIL: $NAME: tmux is not installed (apt-get install tmux)"
	exit 1
fi

dir=$(mktemp -d)
sock=$dir/tmux.sock
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$dir"' EXIT
