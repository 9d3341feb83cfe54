"""What the assistant does once ``assistant.decide`` has chosen an action: one mixin per room
(shopping, cart, talk), all sharing the ``Assistant``'s tools through ``self``."""
