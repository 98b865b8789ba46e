"""Rules of carts (cart.py) and of placing orders (placement.py)."""
