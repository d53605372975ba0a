/**
 * The knowledge base of the test set: a parcel-delivery and appointment business, fifteen
 * FAQ topics each as an English and a French pair, and three intents. Written for these
 * tests; the questions of test-set.ts are not its phrasings.
 */
import type { KnowledgeBase } from '../../../src/conversations/assistant/index.ts';

const faq = (id: string, en: [string[], string], fr: [string[], string]): KnowledgeBase['pairs'] => [
  { id: `${id}-en`, language: 'en', questions: en[0], answer: en[1] },
  { id: `${id}-fr`, language: 'fr', questions: fr[0], answer: fr[1] },
];

export const DELIVERY_KB: KnowledgeBase = {
  pairs: [
    ...faq('delivery-time',
      [['How long does delivery take?', 'When will my order be delivered?'], 'Parcels arrive in 2 to 3 working days.'],
      [['Quels sont les délais de livraison ?', 'En combien de temps suis-je livré ?'], 'Les colis arrivent en 2 à 3 jours ouvrés.']),
    ...faq('delivery-cost',
      [['How much does delivery cost?', 'What are the shipping fees?'], 'Delivery is free from €30, €4.90 below.'],
      [['Combien coûte la livraison ?', 'Quels sont les frais de port ?'], 'La livraison est offerte dès 30 €, 4,90 € en dessous.']),
    ...faq('change-address',
      [['How do I change my delivery address?', 'Can I update the shipping address?'], 'Change the address in your account until the parcel ships.'],
      [["Comment modifier l'adresse de livraison ?", 'Je veux changer mon adresse'], "Modifiez l'adresse dans votre compte tant que le colis n'est pas parti."]),
    ...faq('missed-delivery',
      [['I missed the courier, what now?', 'Nobody was home for the delivery'], 'The courier comes back the next working day, or leaves the parcel at a pickup point.'],
      [["J'ai raté le livreur, que faire ?", "J'étais absent lors de la livraison", "J'ai reçu un avis de passage"], 'Le livreur repasse le jour ouvré suivant, ou dépose le colis en point relais.']),
    ...faq('damaged-parcel',
      [['My parcel arrived damaged', 'The package is broken'], 'Sorry! Send us a photo from your account and we replace the item.'],
      [['Mon colis est arrivé abîmé', 'Le paquet est cassé', 'Article endommagé'], 'Désolés ! Envoyez-nous une photo depuis votre compte et nous remplaçons l’article.']),
    ...faq('refund',
      [['How do I get a refund?', 'When will I be refunded?'], 'Refunds reach your card within 5 days of the return.'],
      [['Comment être remboursé ?', 'Quand serai-je remboursé ?', 'Délai de remboursement'], 'Le remboursement arrive sur votre carte sous 5 jours après le retour.']),
    ...faq('opening-hours',
      [['What are your opening hours?', 'When is the shop open?'], 'We are open Monday to Saturday, 8am to 7pm.'],
      [["Quels sont vos horaires d'ouverture ?", 'Quand la boutique est-elle ouverte ?'], 'Nous sommes ouverts du lundi au samedi, de 8 h à 19 h.']),
    ...faq('international',
      [['Do you deliver abroad?', 'Do you ship to other countries?'], 'We deliver across the European Union.'],
      [["Livrez-vous à l'étranger ?", 'Envoyez-vous dans d’autres pays ?'], "Nous livrons dans toute l'Union européenne."]),
    ...faq('cancel-order',
      [['How can I cancel my order?', 'I want to cancel an order'], 'An order can be cancelled from your account until it ships.'],
      [['Comment annuler ma commande ?', 'Je veux annuler une commande'], "Une commande s'annule depuis votre compte tant qu'elle n'est pas expédiée."]),
    ...faq('return-parcel',
      [['How do I return a parcel?', 'Can I send an item back?'], 'Print the return label from your account; returns are free for 30 days.'],
      [['Comment retourner un colis ?', 'Puis-je renvoyer un article ?'], 'Imprimez l’étiquette de retour depuis votre compte ; le retour est gratuit 30 jours.']),
    ...faq('pickup-point',
      [['Can I collect my parcel at a pickup point?', 'Where are your relay points?'], 'Choose a pickup point at checkout; the map lists them all.'],
      [['Puis-je retirer mon colis en point relais ?', 'Où sont vos points relais ?'], 'Choisissez un point relais à la commande ; la carte les montre tous.']),
    ...faq('payment',
      [['Which payment methods do you accept?', 'Can I pay by card or PayPal?'], 'We take cards, PayPal and bank transfer.'],
      [['Quels moyens de paiement acceptez-vous ?', 'Puis-je payer par carte ou PayPal ?'], 'Nous acceptons la carte, PayPal et le virement.']),
    ...faq('contact',
      [['How can I contact customer service?', 'What is your phone number?'], 'Call 01 23 45 67 89 or write to help@example.com.'],
      [['Comment contacter le service client ?', 'Quel est votre numéro de téléphone ?'], 'Appelez le 01 23 45 67 89 ou écrivez à help@example.com.']),
    ...faq('appointment-documents',
      [['What should I bring to my appointment?', 'Which documents do I need for the appointment?'], 'Bring an identity document and your booking number.'],
      [['Que dois-je apporter au rendez-vous ?', 'Quels documents pour mon rendez-vous ?'], "Apportez une pièce d'identité et votre numéro de réservation."]),
    ...faq('cancel-appointment',
      [['How do I cancel an appointment?', 'I will not come to my appointment'], 'Cancel from the link in your confirmation email, free until the day before.'],
      [['Comment annuler un rendez-vous ?', 'Je ne pourrai pas venir à mon rendez-vous'], "Annulez depuis le lien de l'e-mail de confirmation, sans frais jusqu'à la veille."]),
  ],
  intents: [
    {
      name: 'track_order',
      phrasings: {
        en: ['Where is my parcel?', 'Track my order', 'Where is my package?', 'What is the status of my delivery?'],
        fr: ['Où est mon colis ?', 'Suivre ma commande', 'Où en est ma livraison ?', 'Mon colis est où ?'],
      },
      action: { webhook: 'https://shop.example/hooks/track-order' },
    },
    {
      name: 'reschedule',
      phrasings: {
        en: ['Reschedule my appointment', 'Move my appointment to another day', 'Change the time of my appointment'],
        fr: ['Déplacer mon rendez-vous', 'Changer la date de mon rendez-vous', 'Reporter mon rendez-vous à un autre jour'],
      },
      action: { offerSlots: { url: 'https://shop.example/slots/next', max: 3, prompt: { en: 'Here are the next free slots:', fr: 'Voici les prochains créneaux libres :' } } },
    },
    {
      name: 'book_appointment',
      phrasings: {
        en: ['Book an appointment', 'I would like to make an appointment', 'Schedule a visit'],
        fr: ['Prendre rendez-vous', 'Je voudrais un rendez-vous', 'Réserver un créneau'],
      },
      action: { offerSlots: { url: 'https://shop.example/slots/next', max: 3 } },
    },
  ],
};
