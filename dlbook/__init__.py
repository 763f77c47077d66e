"""dlbook: the code of "Deep Learning: principles and code examples", runnable and tested.

``import dlbook`` is cheap; the parts load on first use::

    from dlbook import data, models, plots, training
    ds = data.load_images("fashion_mnist")
    trainer = training.Trainer(models.LeNet(), keras.optimizers.Adam())
    history = trainer.fit(ds.train, epochs=5, validation_data=ds.validation)
    plots.plot_history(history, "curves.png")
"""

__version__ = "0.1.0"
