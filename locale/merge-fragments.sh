#!/usr/bin/env bash
# Fold German translations written beside the code (locale/de/fragments/*.po) into the
# catalogue made by makemessages, then compile. Used by `make messages`.
set -euo pipefail
cd "$(dirname "$0")/.."
catalogue=locale/de/LC_MESSAGES/django.po
shopt -s nullglob
fragments=(locale/de/fragments/*.po)
if [ ${#fragments[@]} -gt 0 ]; then
  tmp=$(mktemp -d)
  mkdir "$tmp/fragments"
  for fragment in "${fragments[@]}"; do
    out="$tmp/fragments/$(basename "$fragment")"
    # A fragment has a header when its first entry is msgid "" directly followed by msgstr.
    if ! awk '/^msgid /{getline next_line; exit !($0 == "msgid \"\"" && next_line ~ /^msgstr/)}' "$fragment"; then
      printf 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n' > "$out"
    fi
    cat "$fragment" >> "$out"
  done
  # makemessages leaves a placeholder for the plural rule; German has two forms.
  sed -i 's/^"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"$/"Plural-Forms: nplurals=2; plural=(n != 1);\\n"/' "$catalogue"
  # Fuzzy guesses from makemessages are dropped, so the fragments' exact translations win.
  msgattrib --clear-fuzzy --empty -o "$catalogue" "$catalogue"
  # The translations the catalogue already has count too, after the fragments'.
  msgattrib --translated --no-fuzzy -o "$tmp/existing.po" "$catalogue"
  msgcat --use-first -o "$tmp/compendium.po" "$tmp"/fragments/*.po "$tmp/existing.po"
  # Merging into an empty catalogue takes every translation from the compendium
  # (msgmerge would keep an existing empty plural entry over the compendium's).
  printf 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n' > "$tmp/empty.po"
  msgmerge --quiet --no-fuzzy-matching --compendium="$tmp/compendium.po" -o "$tmp/merged.po" "$tmp/empty.po" "$catalogue"
  cp "$tmp/merged.po" "$catalogue"
  rm -rf "$tmp"
fi
msgfmt --statistics -o /dev/null "$catalogue"
