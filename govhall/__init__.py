"""govhall: a district government service center on one Django project."""
