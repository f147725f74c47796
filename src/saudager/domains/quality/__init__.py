"""Quality guard: Kaspi's quality indicators as Kaspi counts them, their outlook and sanctions."""
