"""The sponsor portfolio: the programme's ventures in figures for sponsors and HR."""
