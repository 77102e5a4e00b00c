"""Payments through provider plugins: authorise, capture, void, refund (issue 13)."""
