"""What runs inside the sandbox worker: the main loop, the probes, the confinement.

The trust boundary is this folder. Its modules use the standard library only (a test
parses them to make sure) and import each other relatively, because the sandbox
copies the folder and imports it as the top-level package `worker`; the trusted
side imports the same files as `autograder.worker` to run the probes on the reference.
"""
