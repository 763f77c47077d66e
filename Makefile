# dlbook: `make run` trains LeNet (chapter 5), `make test` runs ruff and the test suite.
# Both create the virtual environment first if it is missing.
#
# Chapter targets: `make ch05` runs every script of chapters/ch05_*/, `make ch05-lenet` one script.
# Each takes EPOCHS=, DATASET= and QUICK=1 (a few seconds on a small subset).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

EPOCHS  ?=
DATASET ?=
QUICK   ?=
TEXT    ?=
EX      ?=
ARGS := $(if $(EPOCHS),--epochs $(EPOCHS)) $(if $(DATASET),--dataset $(DATASET)) \
        $(if $(filter 1 yes true,$(QUICK)),--quick)

.PHONY: run test lint bench data venv clean chapters notebooks book exercises check progress help
.DEFAULT_GOAL := help

help:
	@echo "make run         train LeNet on the default dataset (chapter 5), plots in outputs/"
	@echo "make test        ruff + the whole pytest suite (provisions Fashion-MNIST first)"
	@echo "make doctor      is this machine ready? Python, packages, devices, datasets (5.1)"
	@echo "make bench       speed and accuracy benchmarks, tables in benchmarks/results/"
	@echo "make chNN        every script of a chapter; make chNN-NAME one script"
	@echo "make chapters    every chapter script in tutorial order"
	@echo "make notebooks   one .ipynb per chapter script in outputs/notebooks/ (LANG=zh_CN: in Chinese)"
	@echo "make book        the HTML book in outputs/book/ (QUICK=1: minutes; else full runs;"
	@echo "                 LANG=zh_CN: and its Chinese edition, in outputs/book/<mode>/html/zh_CN/)"
	@echo "                 options: EPOCHS=n DATASET=mnist|fashion_mnist|auto QUICK=1"
	@echo "make exercises   copy the exercise pages into workspace/ (never over your work)"
	@echo "make check       check your exercises in workspace/; EX=4.2 one, EX=4 a chapter"
	@echo "make progress    your exercises: passed / tried / not started per chapter"
	@echo "chapter targets: $(CHAPTER_TARGETS)"
	@echo "script targets:  $(SCRIPT_TARGETS)"

# pip's own chatter goes to a log, shown only if the install fails.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing dlbook and its dependencies into $(VENV)/ (log: $(VENV)/install.log)"
	@{ $(PY) -m pip install --upgrade pip && $(PY) -m pip install -e ".[dev]"; } \
		> $(VENV)/install.log 2>&1 || { tail -n 30 $(VENV)/install.log; exit 1; }
	@touch $@

venv: $(STAMP)

# Section 5.1's check, run by the system's Python so that it works before the venv exists: it
# creates and writes nothing, and hands over to the venv's Python when there is one.
.PHONY: doctor
doctor:
	@$(PYTHON) -I dlbook/doctor.py --venv $(VENV)

# The main job provisions what the suite provisions (Fashion-MNIST, when no dataset is at hand),
# so it works first on a fresh machine without network. Its check imports TensorFlow (3 to 5 s
# of the main job), so it is left out when Fashion-MNIST is in one of its two usual places.
FASHION_MNIST_ON_DISK := $(wildcard data/fashion_mnist/train-images-idx3-ubyte.gz \
	/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz)
run: $(STAMP) $(if $(FASHION_MNIST_ON_DISK),,data)
	$(PY) chapters/ch05_practice/lenet.py --page-epochs 0 --dataset $(or $(DATASET),auto) \
		$(if $(EPOCHS),--epochs $(EPOCHS)) $(if $(filter 1 yes true,$(QUICK)),--quick)

data: $(STAMP)
	bash scripts/provision-fashion-mnist.sh $(PY)

lint: $(STAMP)
	$(PY) -m ruff check .

test: $(STAMP) data lint
	$(PY) -m pytest

bench: $(STAMP) data
	$(PY) benchmarks/run_all.py

clean:
	rm -rf outputs .pytest_cache .ruff_cache

# chapters/ch05_practice/text_classifier.py  ->  target ch05-text-classifier
SCRIPTS := $(sort $(wildcard chapters/ch*_*/*.py))
chapter_of = $(firstword $(subst _, ,$(notdir $(patsubst %/,%,$(dir $1)))))
target_of = $(call chapter_of,$1)-$(subst _,-,$(basename $(notdir $1)))
SCRIPT_TARGETS := $(foreach s,$(SCRIPTS),$(call target_of,$s))
CHAPTER_TARGETS := $(sort $(foreach s,$(SCRIPTS),$(call chapter_of,$s)))

define script_rule
.PHONY: $(call target_of,$1)
$(call target_of,$1): $(STAMP)
	$$(PY) $1 $$(ARGS)
endef
$(foreach s,$(SCRIPTS),$(eval $(call script_rule,$s)))
# A chapter runs its pages in the tutorial's order, each with the flags it takes (make ch04
# EPOCHS=3: the pages that train nothing have no --epochs); one page takes exactly the flags given.
define chapter_rule
$1: $(STAMP)
	$$(PY) book/build.py scripts --chapter $1 -- $$(ARGS)
endef
$(foreach c,$(CHAPTER_TARGETS),$(eval $(call chapter_rule,$c)))
# make ch06-sentiment TEXT="a sentence": the sentence to classify, passed through the environment
# as it was typed ($(value): make expands nothing in it, not even "$5").
ch06-sentiment: export DLBOOK_TEXT := $(value TEXT)
ch06-sentiment: ARGS += $(if $(value TEXT),--text "$$DLBOOK_TEXT")
.PHONY: $(CHAPTER_TARGETS)

chapters: $(STAMP)
	$(PY) book/build.py scripts -- $(ARGS)

# make book LANG=zh_CN: the book's language from the command line only (the environment's LANG
# is the locale, e.g. C.UTF-8), and not passed on to the pages as their locale.
ifeq ($(origin LANG),command line)
BOOK_LANGUAGE := --language $(LANG)
unexport LANG
endif

notebooks: $(STAMP)
	$(PY) book/build.py notebooks $(BOOK_LANGUAGE)

book: $(STAMP)
	$(PY) book/build.py html $(if $(filter 1 yes true,$(QUICK)),--quick) $(BOOK_LANGUAGE)

# The exercises (chapters/*/exercises.py): copied into the git-ignored workspace/, checked there.
exercises: $(STAMP)
	@$(PY) -m dlbook.exercises start

check: $(STAMP)
	@$(PY) -m dlbook.exercises check $(EX)

progress: $(STAMP)
	@$(PY) -m dlbook.exercises progress
