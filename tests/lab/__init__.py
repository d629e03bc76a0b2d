"""The test lab: real servers (DNS, ...) run as child processes for the tests."""
