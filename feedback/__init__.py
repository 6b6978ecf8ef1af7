"""Feedback: products, reviews and ratings, testimonials, the ideas board and NPS surveys."""
