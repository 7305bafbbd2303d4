#!/usr/bin/env bash
# Installs the Debian packages the local stack needs, only those missing.
#   system-deps.sh java            DynamoDB Local's Java 17+ runtime (make dev)
#   system-deps.sh java browser    ... and Chromium with CJK fonts for the browser tests (make test)
#   system-deps.sh font            Noto Sans CJK, which the PDFs' and labels' font is made from
#   system-deps.sh pdf             ... and poppler-utils, zbar-tools to read PDFs and QR codes back (tests)
set -euo pipefail

want=()
java_ok() {
  command -v java >/dev/null 2>&1 &&
    java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'
}
for need in "$@"; do
  case "$need" in
    java) java_ok || want+=(openjdk-17-jre-headless) ;;
    browser)
      command -v chromium >/dev/null 2>&1 || want+=(chromium)
      # Traditional Chinese glyphs for screenshots; without them zh-TW renders as boxes.
      dpkg -s fonts-noto-cjk >/dev/null 2>&1 || want+=(fonts-noto-cjk) ;;
    font) dpkg -s fonts-noto-cjk >/dev/null 2>&1 || want+=(fonts-noto-cjk) ;;
    pdf)
      dpkg -s fonts-noto-cjk >/dev/null 2>&1 || want+=(fonts-noto-cjk)
      command -v pdftotext >/dev/null 2>&1 || want+=(poppler-utils)
      command -v zbarimg >/dev/null 2>&1 || want+=(zbar-tools) ;;
    *) echo "system-deps.sh: unknown need '$need'" >&2; exit 2 ;;
  esac
done
[ ${#want[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "Please install as root: apt-get install ${want[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing ${want[*]} with apt-get…"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
