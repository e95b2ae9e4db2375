"""The Rasa model's life: staff examples, train-test-deploy runs, Rasa's command line and API."""
