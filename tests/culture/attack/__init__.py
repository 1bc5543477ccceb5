"""An attacker in the test suite: everything every audience reads, attacked with linear algebra."""
