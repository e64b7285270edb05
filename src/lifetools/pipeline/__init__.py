"""The publishing program: series, runner, build, book, gate, reproduce, provenance, CLI.

It runs outside the notebook kernels: it plans and executes the analyses, checks what
they would publish, builds the book and swaps the site in. It imports the analysis
library (:mod:`lifetools`); the library never imports it (import-linter contract
``library-does-not-import-pipeline`` in ``pyproject.toml``). :mod:`lifetools.pipeline.layout`
alone owns the folder layout of runs, editions, the site and manifests.
"""
