# slides/slides.mk -- the talk: pandoc markdown -> one self-contained
# reveal.js file, build/slides/index.html, that works offline from file://.
# Included by the top-level Makefile (run from the repo root); on its own:
#   make -f slides/slides.mk slides
#
#   make slides        build $(BUILD)/slides/index.html, the workshop deck, and
#                      $(BUILD)/slides/talk.html, the 55-minute talk: the
#                      slides marked .talk (slides/talk.lua), same sources
#   make test-slides   check that the live demo runs what the slides show
#                      (slides/check-demo.sh), then open both decks in
#                      headless chromium and check that every slide fits
#                      (slides/check-deck.mjs); DECK_PNG=DIR saves each slide
#
# Code on a slide is cut from solutions/ by slides/include-code.lua, which
# runs slides/snippet.awk: a missing file or snippet fails the build.

BUILD ?= build

# The deck, in order: a later chapter is one more name here (slides/NAME.md).
SLIDE_PARTS = intro 01-chroot 02-pivot_root 03-mnt 04-uts 05-ipc 06-pid \
              07-net 08-user 09-cgroup 10-time 11-compose 12-runtime end

SLIDES_OUT      := $(BUILD)/slides
SLIDES_NODE     := $(SLIDES_OUT)/node
SLIDES_NPM      := $(SLIDES_NODE)/node_modules/.package-lock.json
SLIDES_MD        = $(SLIDE_PARTS:%=slides/%.md)
# The diagrams are shared with the lessons: chapters/NN/README.md links them.
SLIDE_DIAGRAMS  := $(patsubst slides/diagrams/%.dot,$(SLIDES_OUT)/diagrams/%.svg,$(wildcard slides/diagrams/*.dot))
# Rebuild when an included solution changes; a missing one is left to the
# filter, which names it.
SLIDES_CODE      = $(wildcard $(sort $(shell sed -n 's/.*include="\([^"]*\)".*/\1/p' $(SLIDES_MD) 2>/dev/null)))

.PHONY: slides test-slides slide-diagrams

slides: $(SLIDES_OUT)/index.html $(SLIDES_OUT)/talk.html

slide-diagrams: $(SLIDE_DIAGRAMS)

# svg:cairo draws the text as outlines: the diagram looks the same in any
# browser, whatever fonts it has (plain -Tsvg lets the viewer pick a font
# whose widths graphviz never measured, and labels drift apart).
$(SLIDES_OUT)/diagrams/%.svg: slides/diagrams/%.dot
	@mkdir -p $(@D)
	dot -Tsvg:cairo -o $@.tmp $< && mv $@.tmp $@

# reveal.js and playwright-core, pinned by package-lock.json, live in
# $(BUILD)/slides/node: npm ci wants package.json next to node_modules.
# --ignore-scripts: nothing gets to download a browser; we use Debian's.
$(SLIDES_NPM): slides/package.json slides/package-lock.json
	@mkdir -p $(SLIDES_NODE)
	cp slides/package.json slides/package-lock.json $(SLIDES_NODE)/
	npm ci --prefix $(SLIDES_NODE) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# --self-contained inlines reveal.js, the theme, its fonts and the SVGs as
# data: URIs, so the file makes no request at all.
# The settings are in slides/pandoc.yaml; diagrams are found by name
# (![](timeline.svg)) on the resource path.
SLIDES_DEPS = $(SLIDES_MD) slides/pandoc.yaml slides/deck.css \
		slides/include-code.lua slides/snippet.awk slides/talk.lua slides/slides.mk \
		$(SLIDE_DIAGRAMS) $(SLIDES_CODE) $(SLIDES_NPM)
SLIDES_PANDOC = pandoc --defaults=slides/pandoc.yaml \
		--resource-path=$(SLIDES_OUT)/diagrams:. \
		-V revealjs-url=$(SLIDES_NODE)/node_modules/reveal.js

$(SLIDES_OUT)/index.html: $(SLIDES_DEPS)
	$(SLIDES_PANDOC) -o $@.tmp $(SLIDES_MD)
	mv $@.tmp $@

# The talk: the same sources, only the slides marked .talk (or .demo).
# defaultTiming paces the speaker view (S): 55 minutes over its slides.
TALK_MINUTES = 55
TALK_SLIDES = $(shell cat $(SLIDES_MD) | grep -cE '^\#{1,2} .*\{[^}]*\.(talk|demo)[ }]')
$(SLIDES_OUT)/talk.html: $(SLIDES_DEPS)
	$(SLIDES_PANDOC) --lua-filter=slides/talk.lua -M talk=true \
		-V defaultTiming=$$(( $(TALK_MINUTES) * 60 / $(TALK_SLIDES) )) -o $@.tmp $(SLIDES_MD)
	mv $@.tmp $@

test-slides: $(SLIDES_OUT)/index.html $(SLIDES_OUT)/talk.html $(SLIDES_NPM)
	slides/check-demo.sh
	node slides/check-deck.mjs $(SLIDES_NODE) $(SLIDES_OUT)/index.html $(SLIDES_OUT)/talk.html
