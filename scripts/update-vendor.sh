#!/usr/bin/env bash
# Rebuild static/vendor/ from pinned npm packages: Designsystemet's CSS and theme, and the Inter
# font. They have no Python packaging, and the app loads nothing from a CDN, so a copy of the
# files the app uses is kept in the repository; this script is the only way they change.
#
# Usage: scripts/update-vendor.sh
# To move to a new version: change the version and its integrity below (`npm view
# <pkg>@<version> dist.integrity`), run the script, look at the app, and commit the result.
set -euo pipefail

CSS_VERSION=1.22.0
CSS_INTEGRITY='sha512-f/+YOK1Gvl7ypdeRh0TDGs28eu8DkOPDAR+T8yLpnys9FxNWX05UNuhXJwYwRuzF9WUgjAhpJ5JKdodTDxWMEA=='
THEME_VERSION=1.11.0
THEME_INTEGRITY='sha512-C4Mf+LmecQ8sdjykD25NWiEclQDEOK+Y6Dlo8oz2BjhLBkDmo1+udFyCplvAGvv1MTzhsAhGafW/S4ox8iXlOA=='
INTER_VERSION=5.3.0
INTER_INTEGRITY='sha512-RofMylZmjlJEfELXeNHFWBRcSs75rGU/6bV2S2jfnvv/3rPXPGe0LgUJTklcHZ9lM4OZmAVFhcJPnACfb91A3g=='
# The weights app.css and Designsystemet ask for (regular, medium, semibold, bold), and the
# subsets that cover Norwegian and Sámi names (latin, latin-ext).
INTER_WEIGHTS=(400 500 600 700)
INTER_SUBSETS=(latin latin-ext)

REGISTRY=${NPM_REGISTRY:-https://registry.npmjs.org}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/static/vendor"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# fetch SCOPE NAME VERSION INTEGRITY: download the tarball, check it against the pinned
# integrity (npm's sha512), unpack it into $WORK/NAME.
fetch() {
  local scope=$1 name=$2 version=$3 integrity=$4
  local tgz="$WORK/$name-$version.tgz"
  curl --fail --silent --show-error --location --retry 3 \
    -o "$tgz" "$REGISTRY/$scope/$name/-/$name-$version.tgz"
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [[ "$got" != "$integrity" ]]; then
    echo "integrity mismatch for $scope/$name@$version: $got" >&2
    exit 1
  fi
  mkdir -p "$WORK/$name"
  tar -xzf "$tgz" -C "$WORK/$name"
}

fetch @digdir designsystemet-css "$CSS_VERSION" "$CSS_INTEGRITY"
fetch @digdir designsystemet-theme "$THEME_VERSION" "$THEME_INTEGRITY"
fetch @fontsource inter "$INTER_VERSION" "$INTER_INTEGRITY"

NEW="$WORK/vendor"
mkdir -p "$NEW/designsystemet-css" "$NEW/designsystemet-theme" "$NEW/inter/files"

# The components, all of them in one file (the package's main export, in @layer ds).
cp "$WORK/designsystemet-css/package/dist/src/index.css" "$NEW/designsystemet-css/index.css"
cp "$WORK/designsystemet-css/package/LICENSE" "$NEW/designsystemet-css/LICENSE"
# The package's default theme (its "." export): tokens for colour, type, size and radius.
cp "$WORK/designsystemet-theme/package/src/themes/designsystemet.css" \
  "$NEW/designsystemet-theme/designsystemet.css"
cp "$WORK/designsystemet-theme/package/LICENSE" "$NEW/designsystemet-theme/LICENSE"

# Inter: the woff2 files only (every browser the app supports reads woff2), and an @font-face
# sheet taken from the package's own, with its unicode ranges, pointing at those files.
cp "$WORK/inter/package/LICENSE" "$NEW/inter/LICENSE"
{
  echo "/* Inter $INTER_VERSION from @fontsource/inter, built by scripts/update-vendor.sh. */"
  for weight in "${INTER_WEIGHTS[@]}"; do
    for subset in "${INTER_SUBSETS[@]}"; do
      file="inter-$subset-$weight-normal"
      cp "$WORK/inter/package/files/$file.woff2" "$NEW/inter/files/"
      # The block between this face's comment and its closing brace, woff fallback dropped.
      awk -v start="/* $file */" '
        index($0, start) { on = 1; sub(/^.*\*\//, ""); }
        on { print }
        on && /}/ { exit }
      ' "$WORK/inter/package/$weight.css" \
        | sed -E "s#src: url\(\./files/($file)\.woff2\) format\('woff2'\).*;#src: url(files/\1.woff2) format('woff2');#" \
        | sed -E '/^[[:space:]]*$/d'
    done
  done
} > "$NEW/inter/inter.css"
if ! grep -q "inter-latin-400-normal.woff2" "$NEW/inter/inter.css" || grep -q "\.woff'" "$NEW/inter/inter.css"; then
  echo "could not build inter.css from @fontsource/inter $INTER_VERSION" >&2
  exit 1
fi

cat > "$NEW/README.md" <<EOF
# Vendored front-end assets

Built by \`scripts/update-vendor.sh\` from the npm registry; do not edit by hand.
Nothing here is loaded from a CDN: the pages load these files from the app.

| package | version | files | licence |
| --- | --- | --- | --- |
| @digdir/designsystemet-css | $CSS_VERSION | designsystemet-css/index.css (dist/src/index.css) | MIT, designsystemet-css/LICENSE |
| @digdir/designsystemet-theme | $THEME_VERSION | designsystemet-theme/designsystemet.css (src/themes/designsystemet.css, the default theme) | MIT, designsystemet-theme/LICENSE |
| @fontsource/inter | $INTER_VERSION | inter/files/*.woff2 (weights ${INTER_WEIGHTS[*]}; subsets ${INTER_SUBSETS[*]}), inter/inter.css (built from the package's @font-face rules) | SIL OFL 1.1, inter/LICENSE |

Source: $REGISTRY/<package>/-/<name>-<version>.tgz, checked against the sha512 integrity
pinned in the script.
EOF

rm -rf "$OUT"
mv "$NEW" "$OUT"
echo "static/vendor rebuilt:"
(cd "$OUT" && find . -type f | sort)
