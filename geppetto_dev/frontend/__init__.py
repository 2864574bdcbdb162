"""The project's Geppetto frontend, one module a job.

layout (where things live), preflight (tools present), git (the clone and init's record of its
own changes), releases and manifest (known-release fixes, pins and overrides in package.json),
npm (install, build, watch command), diagnose (hints for known failures), page (the built page
checked without a browser), watch (build-watch), embed (the prebuilt frontend in the package).
"""
