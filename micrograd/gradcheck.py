"""Numerical derivatives: the independent check that back-propagation is right."""


def numerical_derivative(f, x, h=1e-6):
    """The central difference (f(x + h) - f(x - h)) / 2h, accurate to O(h^2)."""
    return (f(x + h) - f(x - h)) / (2 * h)
